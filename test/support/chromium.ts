import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium, headless, with the flags these machines need (it cannot be downloaded here). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
