// `npm run demo:orders`: the demo order service on ORDER_SERVICE_PORT (4555), checking signatures with
// ORDER_SERVICE_SECRET (the action's signing secret from the console).
import { DEMO_ORDERS, startOrderService } from "./orderService.js";

const port = Number(process.env.ORDER_SERVICE_PORT ?? 4555);
const secret = process.env.ORDER_SERVICE_SECRET ?? "";
const service = await startOrderService({ port, secret });
console.log(`Demo order service on ${service.url}: orders ${DEMO_ORDERS.map((o) => `${o.number} (${o.status})`).join(", ")}`);
console.log(`Start Understudy with OUTBOUND_ALLOWED_URLS=${service.url}, define an action with the URL ${service.url}/orders/{{order_number}},`);
if (!secret) console.log("then restart this with ORDER_SERVICE_SECRET=<the action's signing secret>: until then every call is refused as unsigned.");
process.on("SIGINT", () => void service.close().then(() => process.exit(0)));
process.on("SIGTERM", () => void service.close().then(() => process.exit(0)));
