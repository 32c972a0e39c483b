// `npm run demo:orders`: the demo order service on ORDER_SERVICE_PORT (4555), checking signatures with
// ORDER_SERVICE_SECRET (the action's signing secret from the console). A demo server (`npm start` on the
// sample workspace) starts this itself, as a child process, with its demo action's secret.
import { DEMO_ORDERS, startOrderService } from "./orderService.js";

const port = Number(process.env.ORDER_SERVICE_PORT ?? 4555);
const secret = process.env.ORDER_SERVICE_SECRET ?? "";
const service = await startOrderService({ port, secret });
const stop = () => void service.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
console.log(`Demo order service on ${service.url}: orders ${DEMO_ORDERS.map((o) => `${o.number} (${o.status})`).join(", ")}`);
if (process.send) {
  // Started by the server: it learns the address here, and the service ends with it.
  process.send({ listening: service.url });
  process.on("disconnect", stop);
} else {
  console.log(
    `Start Understudy with OUTBOUND_ALLOWED_URLS=${service.url}, define an action with the URL ${service.url}/orders/{{order_number}},`,
  );
  if (!secret)
    console.log("then restart this with ORDER_SERVICE_SECRET=<the action's signing secret>: until then every call is refused as unsigned.");
}
