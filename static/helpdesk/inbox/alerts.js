/* Alerts an agent must see now (a reminder before a callback, a page for the on-call agent, a
 * deadline at risk): each stays on the page until dismissed. The markup is the page's own
 * <template data-inbox-alert-template> (templates/agents/inbox.html); this fills it in with
 * textContent only, never as HTML. */

export class Alerts {
  /** list: the <ul> they go into; template: the <template> of one alert. */
  constructor({ list, template }) {
    this.list = list;
    this.template = template;
  }

  /** An "inbox.alert" frame, shown first in the list; href: where its link goes. */
  show(event, href) {
    const item = this.template.content.firstElementChild.cloneNode(true);
    item.dataset.conversation = event.conversation;
    const link = item.querySelector("[data-alert-link]");
    link.href = href;
    link.textContent = event.text;
    item.querySelector("[data-alert-dismiss]").addEventListener("click", () => item.remove());
    this.list.prepend(item);
    return item;
  }
}
