import type { Server as SocketServer } from "socket.io";
import type { Bot } from "../bot/types.js";
import { logger } from "../logger.js";
import { registryEvents } from "../registry/activeModel.js";

export const MODEL_CHANGED_EVENT = "model:active-changed";

/**
 * Every chat process polls the active-version pointer (server/bot/modelHost.ts), which bounds how late it
 * notices a promotion or rollback made elsewhere. This removes the wait for changes made through a chat
 * process (console, REST): that process announces the change to the others through the socket.io adapter
 * (Redis pub/sub), and each re-reads the pointer at once. The announcement carries no version: the pointer
 * document stays the only truth, so a lost or late message can only make a process look early, never wrong.
 * Changes made by the trainer process, which has no socket.io server, are still picked up by the poll.
 */
export function fanOutModelChanges(io: SocketServer, bot: Bot): () => void {
  const sync = (bot as Bot & { sync?: () => Promise<void> }).sync?.bind(bot);
  const announce = () => io.serverSideEmit(MODEL_CHANGED_EVENT);
  // serverSideEmit never reaches the sender, so a received announcement is never announced again.
  const onAnnounced = () => {
    logger.info("another chat process announced a model change; checking the active-version pointer now");
    void sync?.();
  };
  registryEvents.on("activeChanged", announce);
  io.on(MODEL_CHANGED_EVENT, onAnnounced);
  return () => {
    registryEvents.off("activeChanged", announce);
    io.off(MODEL_CHANGED_EVENT, onAnnounced);
  };
}
