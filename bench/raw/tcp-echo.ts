// The bound of MLLP: a TCP server that answers every MLLP frame (0x0B … 0x1C 0x0D) with a short
// frame at once: framing and sockets only, no parsing, no database. Env: PORT.
import { createServer } from 'node:net';

const END = Buffer.from([0x1c, 0x0d]);
const ACK = Buffer.from('\x0bMSH|^~\\&|KAIKU|HVA|LIFECARE|X|20250101000000||ACK^A03|1|P|2.3\rMSA|AA|1\r\x1c\r', 'latin1');

const server = createServer((socket) => {
  socket.setNoDelay(true);
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    for (;;) {
      const end = pending.indexOf(END);
      if (end < 0) break;
      pending = pending.subarray(end + END.length);
      socket.write(ACK);
    }
  });
  socket.on('error', () => {});
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
server.listen(Number(process.env.PORT), '127.0.0.1');
