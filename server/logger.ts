import pino from "pino";

const level = process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info");
const pretty = process.env.LOG_PRETTY ? process.env.LOG_PRETTY === "true" : process.stdout.isTTY;

export const logger = pino({
  level,
  ...(pretty ? { transport: { target: "pino-pretty", options: { colorize: true } } } : {}),
});

export type Logger = typeof logger;
