// media/icon.svg -> media/icon.png (256x256), rendered by Chromium (the marketplace wants a PNG)
import { readFileSync } from 'node:fs';
import { launchBrowser } from './vscode/codeServer.mjs';

const svg = readFileSync('media/icon.svg', 'utf8');
const browser = await launchBrowser();
const page = await browser.newPage({ viewport: { width: 256, height: 256 } });
await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
await page.locator('svg').screenshot({ path: 'media/icon.png', omitBackground: true });
await browser.close();
