/* The live chat, for the customer's page (templates/helpdesk/chat.html) and the agent's
 * (templates/agents/conversation.html) alike. Its parts are in chat/; the socket is the one the
 * inbox uses too (socket.js); its words come from the page (texts.js). */

import { LiveSocket } from "./socket.js";
import { readJson } from "./texts.js";
import { ChatHeader } from "./chat/header.js";
import { ChatLog } from "./chat/log.js";
import { Choices } from "./chat/choices.js";
import { Composer } from "./chat/composer.js";
import { frameHandlers } from "./chat/frames.js";
import { PageLanguage } from "./chat/language.js";
import { Outbox } from "./chat/outbox.js";
import { Resync } from "./chat/sync.js";

function chatParts(root, send) {
  const texts = readJson("chat-texts");
  const viewer = root.dataset.viewer;
  const list = root.querySelector("[data-chat-log]");
  const outbox = new Outbox(viewer, root.dataset.conversation);
  const choices = new Choices({ list, viewer, texts, send });
  let log = null;
  const sync = new Resync({ send, lastSeen: () => log.contiguousSeq });
  log = new ChatLog({ list, viewer, texts, outbox, choices, onGap: () => sync.request() });
  const composer = new Composer({
    form: root.querySelector("[data-chat-form]"),
    texts,
    outbox,
    log,
    send,
    maxFrameBytes: Number(root.dataset.maxBytes || 8192),
  });
  const header = new ChatHeader({ root, texts });
  const language = new PageLanguage({ root, texts, header, log });
  return { header, log, choices, sync, composer, outbox, language };
}

function startChat(root) {
  let socket = null;
  const send = (frame) => socket !== null && socket.send(frame);
  const parts = chatParts(root, send);
  const handlers = frameHandlers(parts);
  socket = new LiveSocket({
    path: root.dataset.wsPath,
    onFrame: (frame) => {
      if (Object.hasOwn(handlers, frame.type)) handlers[frame.type](frame);
    },
    onClose: () => parts.sync.reset(),
    onState: (state) => parts.header.connection(state),
  });
  if (parts.composer.form && root.dataset.canPost === "true") parts.composer.attach();
  readJson("chat-initial").forEach((message) => parts.log.render(message));
  parts.outbox.items.forEach((item) => parts.log.showPending(item));
  socket.start();
}

const root = document.querySelector("[data-chat]");
if (root) startChat(root);
