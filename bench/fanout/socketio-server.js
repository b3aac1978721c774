// Socket.IO's side of bench/fanout: the same fan-out as `wharf serve --channels`. A client emits
// "subscribe" (room) with an ack and "publish" (room, data); the server emits "message" with the
// data to the room. With a Redis URL the room broadcast goes through @socket.io/redis-adapter, as
// a Socket.IO cluster does. GET /mem answers {rss, heapUsed} after a full collection (run node
// with --expose-gc). Usage: node socketio-server.js PORT [redis://HOST:PORT]
"use strict";
const { createServer } = require("node:http");
const { Server } = require("socket.io");

async function main() {
  const port = Number(process.argv[2]);
  const redisUrl = process.argv[3];
  const http = createServer((req, res) => {
    if (req.url === "/mem") {
      if (global.gc) global.gc();
      const m = process.memoryUsage();
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  // WebSocket only, no compression: what the Wharf side is measured with.
  const io = new Server(http, { transports: ["websocket"], serveClient: false, perMessageDeflate: false });
  if (redisUrl) {
    const { createClient } = require("redis");
    const { createAdapter } = require("@socket.io/redis-adapter");
    const pub = createClient({ url: redisUrl });
    const sub = pub.duplicate();
    await Promise.all([pub.connect(), sub.connect()]);
    io.adapter(createAdapter(pub, sub));
  }
  io.on("connection", (socket) => {
    socket.on("subscribe", (room, ack) => {
      socket.join(room);
      if (typeof ack === "function") ack({ ok: true });
    });
    socket.on("publish", (room, data) => {
      io.to(room).emit("message", data);
    });
  });
  http.listen(port, "127.0.0.1", () => console.log(`listening on 127.0.0.1:${port}`));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
