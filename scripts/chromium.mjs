// Launch options for Debian's Chromium driven by playwright-core, shared by
// the e2e test and the embed check: headless, as root, and no background
// traffic (this machine reaches only package registries).
export const chromiumLaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};
