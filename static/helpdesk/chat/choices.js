/* Buttons under an assistant message: a callback offer, its time slots, the survey's questions.
 *
 * Only the customer presses them, and only under the newest offer: an older one, one already
 * answered, or any on the agent's page is shown closed. A choice that needs a phone number, an
 * email address or a comment asks for it beside the button first. The server's answer (an
 * action_ack, or an error with the press's client id) settles the press. */

import { format } from "../texts.js";
import { element, newClientId } from "./dom.js";

const FIELD_TYPES = { phone: "tel", email: "email" };

export class Choices {
  /** list: the chat's <ol>; send(frame): false when the socket is not open. */
  constructor({ list, viewer, texts, send }) {
    this.list = list;
    this.viewer = viewer;
    this.texts = texts;
    this.send = send;
    this.latestSeq = 0; // only the newest offer can be answered
    this.pending = new Map(); // client id -> the .choices box whose button was pressed
  }

  /** The buttons of `message` (an assistant message with actions), drawn into its <li>. */
  draw(li, message) {
    const old = li.querySelector(".choices");
    if (old) old.remove();
    const box = element("div", "choices");
    box.dataset.seq = message.seq;
    for (const choice of message.actions.choices) {
      box.appendChild(this.button(box, choice, message));
    }
    const error = element("p", "choice-error");
    error.hidden = true;
    box.appendChild(error);
    li.appendChild(box);
    if (message.seq > this.latestSeq) this.closeOlderThan(message.seq);
    this.settle(box, message.actions.chosen || null);
  }

  button(box, choice, message) {
    const button = element("button");
    button.type = "button";
    button.textContent = choice.label;
    button.dataset.choice = choice.id;
    if (choice.input) button.dataset.input = choice.input;
    button.addEventListener("click", () => this.press(box, button, message));
    return button;
  }

  closeOlderThan(seq) {
    this.latestSeq = seq;
    this.list.querySelectorAll(".choices").forEach((other) => {
      if (Number(other.dataset.seq) < seq) this.settle(other, null);
    });
  }

  /** Disable the buttons once answered, outdated or not the customer's to press. */
  settle(box, chosen) {
    const closed =
      this.viewer !== "customer" || Boolean(chosen) || Number(box.dataset.seq) < this.latestSeq;
    box.querySelectorAll("button").forEach((button) => {
      button.disabled = closed;
      if (chosen && button.dataset.choice === chosen) button.classList.add("chosen");
    });
    if (closed) box.querySelector("form")?.remove();
  }

  /** A "choice" frame: someone (maybe in another tab) answered the offer at `seq`. */
  settleSeq(seq, chosen) {
    const box = this.list.querySelector(`.choices[data-seq="${Number(seq)}"]`);
    if (box) this.settle(box, chosen);
  }

  press(box, button, message) {
    if (button.dataset.input) {
      this.askContact(box, button, message);
    } else {
      this.choose(box, message.seq, button.dataset.choice, "");
    }
  }

  /** A phone number, an email address or a comment goes with this choice: ask for it. */
  askContact(box, button, message) {
    box.querySelector("form")?.remove();
    const kind = button.dataset.input;
    const words = this.texts.contact_fields[kind] || this.texts.contact_fields.text;
    const form = element("form", "choice-input");
    const field = element("input");
    field.type = FIELD_TYPES[kind] || "text";
    field.required = true;
    field.maxLength = 254;
    field.placeholder = words.placeholder;
    field.setAttribute("aria-label", words.label);
    if (kind === "phone" && message.actions.prefill) field.value = message.actions.prefill;
    const confirm = element("button", "primary");
    confirm.type = "submit";
    confirm.textContent = format(this.texts.confirm_choice, { label: button.textContent });
    form.append(field, confirm);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.choose(box, message.seq, button.dataset.choice, field.value.trim());
    });
    box.insertBefore(form, box.querySelector(".choice-error"));
    field.focus();
  }

  choose(box, seq, choice, contact) {
    const clientId = newClientId();
    const frame = { type: "action", seq, choice, client_id: clientId };
    if (contact) frame.contact = contact;
    this.pending.set(clientId, box);
    if (!this.send(frame)) {
      this.pending.delete(clientId);
      this.showError(box, this.texts.not_connected);
    }
  }

  showError(box, text) {
    const error = box.querySelector(".choice-error");
    error.textContent = text;
    error.hidden = false;
  }

  /** The server took the press: clear any earlier refusal under its buttons. */
  acknowledged(clientId) {
    const box = this.pending.get(clientId);
    if (box) box.querySelector(".choice-error").hidden = true;
    this.pending.delete(clientId);
  }

  /** An error frame about a press of ours: shown under its buttons. False when not ours. */
  refused(frame) {
    const box = frame.client_id && this.pending.get(frame.client_id);
    if (!box) return false;
    this.showError(box, frame.message);
    this.pending.delete(frame.client_id);
    return true;
  }
}
