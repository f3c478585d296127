/**
 * Telegram's reply to a message (the user's request) that still works when
 * that message is gone: `allow_sending_without_reply` sends a plain message
 * instead of a 400 "message to be replied not found". For the bot's replies
 * and the activities' sends alike.
 */
export const replyTo = (messageId: number | undefined) =>
  messageId === undefined ? {} : { reply_parameters: { message_id: messageId, allow_sending_without_reply: true } };
