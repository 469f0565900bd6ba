// The SES stand-in in a process of its own, for the pacing bench: it notes when each send
// request arrives (epoch milliseconds), as SES counts a send rate, with an event loop the
// senders do not share. Sends its port once listening; answers "times" with the arrivals.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { default: startSesServer } = require("aws-ses-v2-local");
const arrivals = [];
const server = await startSesServer({ host: "127.0.0.1", port: 0 });
server.on("request", (req) => {
  if (req.method === "POST" && req.url?.startsWith("/v2/email/outbound-emails")) {
    arrivals.push(performance.timeOrigin + performance.now());
  }
});
process.on("message", (message) => {
  if (message === "times") process.send?.({ arrivals: arrivals.splice(0) });
  if (message === "stop") server.close(() => process.exit(0));
});
process.send?.({ port: server.address().port });
