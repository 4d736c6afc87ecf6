/* The handoff summary of a conversation offered to the agent: its time left counts down, as
 * in the inbox (templates/agents/summary.html). Its words come from the page (texts.js). */

import { readJson } from "./texts.js";
import { startCountdowns } from "./inbox/clocks.js";

startCountdowns(readJson("offer-texts"));
