import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Sockets of the server, so that shutting down can close every one with no response in
 * progress: keep-alive sockets between requests, and sockets a browser opened ahead of time
 * and never used (Node's closeIdleConnections leaves those until their client or a timeout
 * closes them). Tracked per connection, nothing per request: the webhook path is untouched.
 */
export function trackSockets(server: Server): { closeIdle(): void } {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    closeIdle() {
      for (const socket of sockets) {
        // Node sets _httpMessage to the response in progress and clears it once the response is
        // flushed (its own closeIdleConnections reads it too).
        if (!(socket as Socket & { _httpMessage?: unknown })._httpMessage) socket.destroy();
      }
    },
  };
}
