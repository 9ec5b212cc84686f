import net from 'node:net';
import { AddressRefused, assertAllowed, guardConnectedSocket, guardedLookup, rangeOf, resolveAllowed } from '../src';

const strict = { allowPrivate: false };

describe('which addresses a webhook may reach', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['fd00::1', 'uniqueLocal'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['255.255.255.255', 'broadcast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['2002:7f00:1::', '6to4'],
  ])('%s is %s and refused', (address, range) => {
    expect(rangeOf(address)).toBe(range);
    expect(() => assertAllowed(strict, 'h', address)).toThrow(AddressRefused);
    expect(() => assertAllowed({ allowPrivate: true }, 'h', address)).not.toThrow();
  });

  it.each(['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public: allowed', (a) => {
    expect(rangeOf(a)).toBe('unicast');
    expect(() => assertAllowed(strict, 'h', a)).not.toThrow();
  });

  it('refuses a host when any one of its addresses is not allowed', async () => {
    const resolver = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ];
    await expect(resolveAllowed(strict, 'mixed.example', resolver)).rejects.toThrow(
      'mixed.example resolves to 10.0.0.7 (private)',
    );
    await expect(resolveAllowed(strict, '[::1]')).rejects.toThrow(AddressRefused);
    await expect(resolveAllowed(strict, 'localhost')).rejects.toThrow(AddressRefused);
  });
});

describe('the connection goes where the check looked', () => {
  let server: net.Server;
  let port = 0;
  let received = 0;
  beforeAll(async () => {
    server = net.createServer((s) => s.on('data', () => (received += 1)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('a rebinding resolver (public, then loopback) is asked once: the socket connects to what was checked', async () => {
    let calls = 0;
    const rebinding = async () => {
      calls += 1;
      return [{ address: calls === 1 ? '127.0.0.1' : '93.184.216.34', family: 4 }];
    };
    const socket = net.connect({ host: 'rebind.example', port, lookup: guardedLookup(strict, rebinding) });
    const err = await new Promise<Error>((resolve) => socket.once('error', resolve));
    expect(err).toBeInstanceOf(AddressRefused);
    expect(calls).toBe(1);
  });

  it('a socket that reached a refused peer anyway is destroyed before anything is written', async () => {
    // As if the lookup had been bypassed: connect straight to loopback, then try to write.
    const socket = new net.Socket();
    guardConnectedSocket(strict, socket, 'bypass.example');
    socket.connect({ host: '127.0.0.1', port });
    socket.write('POST / HTTP/1.1\r\n\r\n');
    const err = await new Promise<Error>((resolve) => socket.once('error', resolve));
    expect(err).toBeInstanceOf(AddressRefused);
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toBe(0);
  });
});
