/* The conversation as the page shows it: one <li> per message, in sequence order.
 *
 * Nothing the server sends is parsed as HTML: every text goes in through textContent. Messages
 * are keyed by their per-conversation sequence number, so a message that arrives twice (an ack
 * and a broadcast, or a resync after a reconnect) is drawn once; a gap in the numbers means a
 * notification was lost, and the page asks for what it missed. Messages still in the outbox
 * show below every stored one, marked pending, until the server stores them. */

import { format } from "../texts.js";
import { cssEscape, element, formatTime } from "./dom.js";

function bubble(kind, mine) {
  const li = element("li", `msg msg-${kind}${mine ? " msg-mine" : ""}`);
  const meta = element("div", "meta");
  meta.append(element("span", "who"), element("time"));
  li.append(meta, element("div", "body"));
  return li;
}

export class ChatLog {
  /** viewer: "customer" or "agent"; onGap(): a message is missing, ask for it. */
  constructor({ list, viewer, texts, outbox, choices, onGap }) {
    this.list = list;
    this.viewer = viewer;
    this.texts = texts;
    this.outbox = outbox;
    this.choices = choices;
    this.onGap = onGap;
    this.rendered = new Map(); // seq -> <li>
    this.contiguousSeq = 0; // every message up to this one is on the page
  }

  isMine(message) {
    return message.author_kind === this.viewer;
  }

  /** Draw a stored message once, settling its pending copy if this page sent it. */
  render(message) {
    // A stored message settles its pending copy even when it is drawn already (its ack was
    // lost, then the page reloaded with it still in the outbox).
    const pending = message.client_id ? this.settle(message.client_id) : null;
    if (this.rendered.has(message.seq)) return;
    let li = pending;
    if (message.author_kind === "system") {
      li = bubble("system", false);
    } else if (!li) {
      li = bubble(message.author_kind, this.isMine(message));
    }
    this.fill(li, message);
    this.rendered.set(message.seq, li);
    this.insertInOrder(li, message.seq);
    while (this.rendered.has(this.contiguousSeq + 1)) this.contiguousSeq += 1;
    if (message.seq > this.contiguousSeq + 1) this.onGap();
    this.scrollToEnd();
  }

  settle(clientId) {
    const li = this.pendingItem(clientId);
    if (li) {
      li.remove();
      li.classList.remove("pending", "failed");
    }
    this.outbox.forget(clientId);
    return li;
  }

  /** Who wrote it, in the page's words: "You" for one's own, the assistant named in the
   * reader's language (the customer's page), everyone else by name. */
  who(message) {
    if (this.isMine(message) && this.texts.you) return this.texts.you;
    if (message.author_kind === "assistant" && this.texts.assistant) return this.texts.assistant;
    return message.author_name || "";
  }

  /** The names and "sending…" again, in the texts' words now (the language changed). */
  relabel() {
    const texts = this.texts;
    this.list.querySelectorAll("li.msg-mine .who").forEach((who) => {
      if (texts.you) who.textContent = texts.you;
    });
    this.list.querySelectorAll("li.msg-assistant .who, li.msg-greeting .who").forEach((who) => {
      if (texts.assistant) who.textContent = texts.assistant;
    });
    this.list.querySelectorAll("li.pending:not(.failed) time").forEach((time) => {
      time.textContent = texts.sending;
    });
  }

  fill(li, message) {
    li.dataset.seq = message.seq;
    li.querySelector(".who").textContent = this.who(message);
    const when = li.querySelector("time");
    when.textContent = formatTime(message.created_at);
    when.setAttribute("datetime", message.created_at);
    li.querySelector(".body").textContent = message.body;
    if (message.actions && message.actions.choices) this.choices.draw(li, message);
  }

  insertInOrder(li, seq) {
    let next = null;
    const items = this.list.querySelectorAll("li[data-seq]");
    for (let i = items.length - 1; i >= 0; i--) {
      if (Number(items[i].dataset.seq) < seq) {
        next = items[i].nextSibling;
        break;
      }
      next = items[i];
    }
    // Pending messages always stay at the bottom, after every stored one.
    const firstPending = this.list.querySelector("li.pending");
    if (next === null || next === firstPending) next = firstPending;
    this.list.insertBefore(li, next);
  }

  /** An outbox item, drawn as the user's own message on its way. */
  showPending(item) {
    const li = bubble(this.viewer, true);
    li.classList.add("pending");
    li.dataset.clientId = item.client_id;
    li.querySelector(".who").textContent = this.texts.you;
    li.querySelector("time").textContent = this.texts.sending;
    li.querySelector(".body").textContent = item.body;
    this.list.appendChild(li);
    this.scrollToEnd();
  }

  /** The server refused this message for good: say why beside it, and stop resending it. */
  markFailed(clientId, reason) {
    const li = this.pendingItem(clientId);
    this.outbox.forget(clientId);
    if (!li) return;
    li.classList.add("failed");
    li.querySelector("time").textContent = format(this.texts.not_sent, { reason });
  }

  pendingItem(clientId) {
    return this.list.querySelector(`li.pending[data-client-id="${cssEscape(clientId)}"]`);
  }

  scrollToEnd() {
    this.list.scrollTop = this.list.scrollHeight;
  }
}
