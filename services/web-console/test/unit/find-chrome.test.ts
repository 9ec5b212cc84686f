import { CHROME_CANDIDATES, findChrome } from '../browser/browser';

describe('the browser the tests drive', () => {
  const only = (path: string) => (p: string) => p === path;

  it('is CHROME_PATH when set', () => {
    expect(findChrome({ CHROME_PATH: '/opt/chrome/chrome' }, only('/opt/chrome/chrome'))).toBe('/opt/chrome/chrome');
  });

  it('refuses a CHROME_PATH that does not exist, rather than quietly taking another', () => {
    expect(() => findChrome({ CHROME_PATH: '/nope/chrome' }, only('/usr/bin/chromium'))).toThrow(
      'CHROME_PATH is /nope/chrome, which does not exist.',
    );
  });

  it.each([
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
  ])('finds %s (Linux and macOS install paths)', (path) => {
    expect(CHROME_CANDIDATES).toContain(path);
    expect(findChrome({}, only(path))).toBe(path);
  });

  it('says where it looked and how to get one when there is none', () => {
    expect(() => findChrome({}, () => false)).toThrow(/found at none of .*apt-get install -y chromium.*CHROME_PATH/);
  });
});
