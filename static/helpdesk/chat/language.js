/* The customer's page speaks the conversation's language, which changes when the customer
 * writes in another (helpdesk.services.conversation_language_set). The server then sends the
 * page's words in the new language (a "language" frame), and they are written in place: the
 * title, the status and connection lines, the message box, the buttons, the names above the
 * messages and the assistant's greeting. A page that missed the frame (it was disconnected)
 * learns the language from the next "welcome" and reloads, rendered afresh in it; so does a
 * page showing the email's proof box. */

export class PageLanguage {
  /** texts: the object every part of the chat reads its words from (replaced in place). */
  constructor({ root, texts, header, log }) {
    this.root = root;
    this.texts = texts;
    this.header = header;
    this.log = log;
  }

  /** A "welcome": true when the page is in another language than the conversation's. */
  stale(language) {
    return Boolean(language && this.texts.language && language !== this.texts.language);
  }

  /** A "language" frame: the same words, in `frame.language`. */
  switchTo(frame) {
    if (!frame.texts || frame.language === this.texts.language) return;
    if (this.root.querySelector("[data-proof]")) {
      // The email's proof box is server-rendered prose around the address: rendered afresh.
      window.location.reload();
      return;
    }
    for (const key of Object.keys(this.texts)) delete this.texts[key];
    Object.assign(this.texts, frame.texts);
    this.write();
  }

  write() {
    const page = this.texts.page || {};
    document.documentElement.lang = this.texts.language;
    if (page.title) document.title = page.title;
    this.root.querySelectorAll("[data-text]").forEach((element) => {
      if (page[element.dataset.text]) element.textContent = page[element.dataset.text];
    });
    this.root.querySelectorAll("[data-text-placeholder]").forEach((element) => {
      if (page[element.dataset.textPlaceholder]) {
        element.placeholder = page[element.dataset.textPlaceholder];
      }
    });
    // "Start a new conversation" opens the next one in this language too.
    const restart = document.querySelector("[data-chat-restart-language]");
    if (restart) restart.value = this.texts.language;
    const greeting = this.root.querySelector("[data-chat-greeting] .body");
    if (greeting && this.texts.greeting) greeting.textContent = this.texts.greeting;
    this.header.rewrite();
    this.log.relabel();
  }
}
