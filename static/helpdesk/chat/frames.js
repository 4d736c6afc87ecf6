/* What the chat does with each frame the server sends (docs/architecture.md lists them). */

/** parts: {header, log, choices, sync, composer, language}, the chat's pieces (chat.js). */
export function frameHandlers({ header, log, choices, sync, composer, language }) {
  const renderAll = (messages) => messages.forEach((message) => log.render(message));
  return {
    welcome(frame) {
      if (language.stale(frame.language)) {
        window.location.reload(); // its language changed while this page was not listening
        return;
      }
      header.connection("open");
      if (frame.status) header.status(frame.status, frame.agent);
      sync.reset();
      sync.request();
      composer.resendAll();
    },
    sync(frame) {
      renderAll(frame.messages);
      if (frame.complete) sync.reset();
    },
    message: (frame) => log.render(frame.message),
    ack: (frame) => log.render(frame.message),
    typing: (frame) => header.typing(frame),
    status: (frame) => header.status(frame.status, frame.agent),
    pong: (frame) => sync.catchUp(frame.last_seq),
    choice: (frame) => choices.settleSeq(frame.seq, frame.chosen),
    action_ack: (frame) => choices.acknowledged(frame.client_id),
    language: (frame) => language.switchTo(frame),
    error: (frame) => refused(frame, { log, choices, composer }),
  };
}

function refused(frame, { log, choices, composer }) {
  if (choices.refused(frame)) return;
  if (frame.code === "rate_limited") {
    composer.resendLater();
  } else if (frame.client_id) {
    log.markFailed(frame.client_id, frame.message);
  } else {
    console.warn("chat error", frame.code, frame.message);
  }
}
