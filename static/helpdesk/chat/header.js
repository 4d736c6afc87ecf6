/* The lines above and below the conversation: the connection, the conversation's status (who
 * the customer is talking to), and who is typing. Their words are the server's (texts.js). */

import { showConnection } from "../socket.js";
import { format } from "../texts.js";

const TYPING_SHOWN_MS = 6000; // a typing notice whose "stopped" never came fades by itself

export class ChatHeader {
  constructor({ root, texts }) {
    this.texts = texts;
    this.connectionLine = root.querySelector("[data-chat-connection]");
    this.statusLine = root.querySelector("[data-chat-status]");
    this.typingLine = root.querySelector("[data-chat-typing]");
    this.form = root.querySelector("[data-chat-form]");
    this.restartForm = document.querySelector("[data-chat-restart]");
    this.typingTimer = null;
    this.shown = { state: null, status: null, agent: null }; // to write again in new words
  }

  connection(state) {
    this.shown.state = state;
    showConnection(this.connectionLine, state, this.texts.connection);
  }

  /** The conversation's status, as a "welcome" or "status" frame gives it. */
  status(status, agentName) {
    if (!this.statusLine) return;
    this.shown.status = status;
    this.shown.agent = agentName;
    const named = status === "with_agent" && agentName;
    this.statusLine.textContent = named
      ? format(this.texts.with_agent_named, { name: agentName })
      : this.texts.statuses[status] || status;
    if (status === "resolved") {
      if (this.form) this.form.hidden = true; // closed: no more messages
      if (this.restartForm) this.restartForm.hidden = false;
    }
  }

  /** The lines again, in the texts' words now (the conversation's language changed). */
  rewrite() {
    if (this.shown.state) this.connection(this.shown.state);
    if (this.shown.status) this.status(this.shown.status, this.shown.agent);
    if (this.typingLine) this.typingLine.hidden = true; // a notice in the old words: it passes
  }

  /** A "typing" frame from the other side. */
  typing(frame) {
    if (!this.typingLine) return;
    clearTimeout(this.typingTimer);
    if (!frame.active) {
      this.typingLine.hidden = true;
      return;
    }
    const texts = this.texts;
    const someone = frame.who === "customer" ? texts.typing_customer : texts.typing_someone;
    this.typingLine.textContent = format(texts.typing, { name: frame.name || someone });
    this.typingLine.hidden = false;
    this.typingTimer = setTimeout(() => {
      this.typingLine.hidden = true;
    }, TYPING_SHOWN_MS);
  }
}
