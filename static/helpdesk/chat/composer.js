/* Writing: the message box, the outbox's sending and resending, and the typing notices this
 * side sends. A message goes into the outbox before it is sent, so it survives a dropped socket
 * or a reload; it leaves the outbox when the server stores it (ChatLog.render). */

import { newClientId } from "./dom.js";

const TYPING_REPEAT_MS = 2500; // "still typing" at most this often
const TYPING_IDLE_MS = 4000; // no key for this long: "stopped typing"
const RATE_LIMITED_RETRY_MS = 5000;
const FRAME_ROOM = 200; // bytes of JSON around a message's body

export class Composer {
  /** maxFrameBytes: the server's CHAT_MAX_FRAME_BYTES; send(frame): false when not open. */
  constructor({ form, texts, outbox, log, send, maxFrameBytes }) {
    this.form = form;
    this.input = form ? form.querySelector("textarea") : null;
    this.texts = texts;
    this.outbox = outbox;
    this.log = log;
    this.send = send;
    this.maxBytes = maxFrameBytes - FRAME_ROOM;
    this.typingTimer = null;
    this.lastTypingSent = 0;
    this.retryTimer = null;
  }

  /** Listen to the message box (only where this viewer may write). */
  attach() {
    this.form.addEventListener("submit", (event) => this.submit(event));
    this.input.addEventListener("input", () => this.typing(this.input.value.length > 0));
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) this.submit(event);
    });
  }

  submit(event) {
    event.preventDefault();
    const body = this.input.value.trim();
    if (!body) return;
    const item = { client_id: newClientId(), body };
    if (new TextEncoder().encode(body).length > this.maxBytes) {
      this.log.showPending(item);
      this.log.markFailed(item.client_id, this.texts.too_long);
      return;
    }
    this.outbox.add(item);
    this.log.showPending(item);
    this.input.value = "";
    this.sendItem(item);
    this.typing(false);
    this.input.focus(); // the Send button took it: the next message is typed straight away
  }

  sendItem(item) {
    this.send({ type: "message", body: item.body, client_id: item.client_id });
  }

  /** Everything still unacknowledged, again (after each connect). */
  resendAll() {
    this.outbox.items.forEach((item) => this.sendItem(item));
  }

  /** The server said "too many at once": one timer however many were refused, since resending
   * each at once would be refused again. */
  resendLater() {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.resendAll();
    }, RATE_LIMITED_RETRY_MS);
  }

  /** Tell the other side this one is typing (or stopped), without a frame per key. */
  typing(active) {
    clearTimeout(this.typingTimer);
    const now = Date.now();
    if (active) {
      if (now - this.lastTypingSent > TYPING_REPEAT_MS) {
        this.send({ type: "typing", active: true });
        this.lastTypingSent = now;
      }
      this.typingTimer = setTimeout(() => this.typing(false), TYPING_IDLE_MS);
    } else if (this.lastTypingSent) {
      this.send({ type: "typing", active: false });
      this.lastTypingSent = 0;
    }
  }
}
