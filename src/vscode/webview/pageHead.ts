// Pure: the start of every page of ours, up to the body: a strict CSP (nothing but what `csp` adds and
// the nonce'd style block), the viewport, and the base style in VS Code's theme variables.

const BASE_STYLE = `  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 8px 20px 24px; max-width: 760px; }
  h1 { font-size: 1.3em; font-weight: 600; }`;

/** `csp`: the page's own sources after default-src 'none' (the style-src with the nonce is added) */
export function pageHead(opts: { nonce: string; cspSource: string; csp?: string; style: string }): string {
  const csp = [`default-src 'none'`, ...(opts.csp ? [opts.csp] : []), `style-src ${opts.cspSource} 'nonce-${opts.nonce}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp};">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${opts.nonce}">
${BASE_STYLE}
${opts.style}
</style></head>`;
}
