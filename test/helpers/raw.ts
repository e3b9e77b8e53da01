import { connect } from 'node:net';

export interface RawAnswer {
  /** Status of the answer, or undefined when the server closed the socket without one. */
  status: number | undefined;
  text: string;
}

/**
 * Sends bytes as they are (no client library to tidy them up) and collects the answer until the
 * server closes the connection or a complete short answer arrived.
 */
export function rawRequest(port: number, data: string | Buffer, timeoutMs = 10_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      const status = /^HTTP\/1\.[01] (\d{3}) /.exec(text)?.[1];
      resolve({ status: status === undefined ? undefined : Number(status), text });
    };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms to ${JSON.stringify(String(data).slice(0, 80))}`));
    }, timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      const length = /\r\ncontent-length: (\d+)\r\n/i.exec(text);
      const head = text.indexOf('\r\n\r\n');
      // A 101 or a 200 is a stream that will not end: its head is the answer.
      const complete = /^HTTP\/1\.1 (101|200) /.test(text) || (length ? text.length >= head + 4 + Number(length[1]) : text.endsWith('\r\n0\r\n\r\n'));
      if (head !== -1 && complete) done();
    });
    // A server that resets instead of answering is a valid end for a fuzz case: it shows as no status.
    socket.on('error', done);
    socket.on('close', done);
    // No half-close: Node ends a connection whose client ended before an async answer began.
    socket.write(data);
  });
}
