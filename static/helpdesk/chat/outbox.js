/* Messages the user wrote that the server has not acknowledged yet. They are kept in
 * localStorage, so neither a dropped socket nor a reload loses them, and sent again on every
 * connect; their client id makes a resend harmless (the server stores nothing twice).
 *
 * Kept per viewer and conversation: an agent page opened in the customer's browser must never
 * send the customer's messages. Another tab of the same conversation may queue or clear messages
 * at any time, so every change starts from what is stored. */

export class Outbox {
  constructor(viewer, conversation) {
    this.key = `helpdesk-outbox:${viewer}:${conversation}`;
    this.items = this.load();
  }

  load() {
    try {
      return JSON.parse(localStorage.getItem(this.key) || "[]");
    } catch (error) {
      return [];
    }
  }

  save() {
    try {
      localStorage.setItem(this.key, JSON.stringify(this.items));
    } catch (error) {
      // private mode or a full quota: the messages stay in this page's memory only
    }
  }

  update(change) {
    this.items = change(this.load());
    this.save();
  }

  add(item) {
    this.update((items) => items.concat([item]));
  }

  has(clientId) {
    return this.items.some((item) => item.client_id === clientId);
  }

  forget(clientId) {
    if (!this.has(clientId)) return;
    this.update((items) => items.filter((item) => item.client_id !== clientId));
  }
}
