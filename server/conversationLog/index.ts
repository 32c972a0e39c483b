// The conversation log's commands. Everything that writes a conversation or a message goes through here,
// so seq allocation, summaries and broadcasts stay consistent.
export { MAX_MESSAGE_LENGTH, MAX_CLIENT_ID_LENGTH, checkMessageText } from "./limits.js";
export {
  recordCustomerMessage,
  recordAgentMessage,
  recordBotReply,
  recordSystemMessage,
  toObjectId,
  type RecordResult,
  type CustomerMessageInput,
  type AgentMessageInput,
  type CustomerChannel,
} from "./messageRecorder.js";
export {
  messagesSince,
  findCustomerConversation,
  latestOpenConversation,
  customerConversations,
  MAX_SYNC_MESSAGES,
} from "./messageQueries.js";
export { respondToCustomerMessage, handOff } from "./botResponder.js";
export { recordFeedback, type Feedback } from "./feedbackRecorder.js";
export { notice } from "./notices.js";
