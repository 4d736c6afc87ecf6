/* The chat's side of the widget (templates/widget/), inside the frame on the host's page. It
 * speaks only with the widget's script on that page (widget.js), by postMessage, to and from
 * the one origin the server checked (config.origin):
 *
 *   frame -> host   {type: "ready", texts}   {type: "unread", count}   {type: "escape"}
 *                   {type: "seen", chat, seq}
 *   host -> frame   {type: "hello", open, identity: {user_id, email, user_hash}, seen}
 *                   {type: "open"}   {type: "close"}
 *
 * Unread: the assistant's and agents' messages that came while the panel was closed. The host
 * keeps the last one seen (`seen`, in its own localStorage: a browser that blocks third-party
 * storage refuses this frame any), so a reload of the host page still shows what is unread;
 * `chat` is an opaque key of the conversation, not its id. */

import { readJson } from "../texts.js";

const HOST = "helpdesk-host";
const FRAME = "helpdesk-widget";
const config = readJson("widget-config");
const framed = window.parent !== window;

function tell(message) {
  if (framed) window.parent.postMessage({ source: FRAME, ...message }, config.origin);
}

class Unread {
  /** chat: an opaque key of this conversation, so the host keeps "seen" per conversation. */
  constructor(list, chat) {
    this.list = list;
    this.chat = chat;
    this.open = false;
    this.known = false; // the host has said whether the panel is open, and what was seen
    this.seenSeq = 0;
    this.told = -1;
  }

  /** From the host's hello: the last reply seen, if it was in this conversation. */
  know({ open, seen }) {
    this.known = true;
    this.open = Boolean(open);
    this.seenSeq = seen && seen.chat === this.chat ? Number(seen.seq) || 0 : 0;
    this.update();
  }

  /** The assistant's and agents' messages, as [seq, ...] (the customer's own are never unread). */
  replies() {
    const items = this.list.querySelectorAll("li.msg-assistant[data-seq], li.msg-agent[data-seq]");
    return Array.from(items, (li) => Number(li.dataset.seq));
  }

  update() {
    if (!this.known) return;
    const replies = this.replies();
    const latest = replies.length ? Math.max(...replies) : 0;
    if (this.open && latest > this.seenSeq) {
      this.seenSeq = latest;
      tell({ type: "seen", chat: this.chat, seq: latest });
    }
    const count = replies.filter((seq) => seq > this.seenSeq).length;
    if (count !== this.told) tell({ type: "unread", count });
    this.told = count;
  }

  watch() {
    new MutationObserver(() => this.update()).observe(this.list, { childList: true });
  }
}

/** The identity the host page passed goes with the form that starts a chat. */
function carryIdentity(form, identity) {
  for (const name of ["user_id", "email", "user_hash"]) {
    let input = form.querySelector(`input[name="${name}"]`);
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.append(input);
    }
    input.value = identity[name] || "";
  }
}

/** The chat page's "Start a new conversation" posts to the widget's own start, not the page's. */
function retargetRestart(form) {
  if (!form) return;
  form.action = config.start_url;
  for (const [name, value] of [["site", config.site], ["origin", config.origin]]) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.append(input);
  }
}

function focusFirst() {
  const target = document.querySelector("#chat-input, [data-widget-start] input[type=text]");
  if (target && !target.closest("[hidden]")) target.focus();
}

function start() {
  const startForm = document.querySelector("[data-widget-start]");
  const restartForm = document.querySelector("[data-chat-restart]");
  const chat = document.querySelector("[data-chat]");
  const log = chat ? chat.querySelector("[data-chat-log]") : null;
  const unread = log ? new Unread(log, config.chat_key) : null;
  const startButton = document.querySelector("[data-widget-start-button]");
  // Until the host page has said who is signed in, a chat would start as nobody.
  if (startButton && framed) startButton.disabled = true;
  retargetRestart(restartForm);

  window.addEventListener("message", (event) => {
    if (event.source !== window.parent || event.origin !== config.origin) return;
    const data = event.data || {};
    if (data.source !== HOST) return;
    if (data.type === "hello") {
      const identity = data.identity || {};
      // A chat started for someone else (the host page's user signed out, or another signed
      // in): show the first screen instead of their conversation.
      if (chat && config.user_id !== null && (identity.user_id || "") !== config.user_id) {
        window.location.replace(config.fresh_url);
        return;
      }
      for (const form of [startForm, restartForm]) if (form) carryIdentity(form, identity);
      if (startButton) startButton.disabled = false;
      if (unread) unread.know(data);
      if (data.open && document.hasFocus()) focusFirst();
    } else if (data.type === "open" || data.type === "close") {
      if (unread) {
        unread.open = data.type === "open";
        unread.update();
      }
      if (data.type === "open") focusFirst();
    }
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") tell({ type: "escape" });
  });
  if (unread) unread.watch();
  tell({ type: "ready", texts: config.texts });
}

start();
