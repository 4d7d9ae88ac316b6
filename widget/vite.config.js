// Build of the chat widget: `npm run build` writes dist/ (git-ignored), which the gateway serves under
// /widget/. Relative asset URLs (base './') keep the bundle independent of where it is mounted.
import { defineConfig } from 'vite';

// ChatUI's stylesheet loads its Latin font from Alibaba's CDN. The widget must not fetch anything from a
// third party at run time (and the page's CSP forbids it), so those @font-face rules are dropped and the
// system's Chinese fonts are used instead.
function dropRemoteFontFaces() {
  return {
    name: 'drop-remote-font-faces',
    enforce: 'pre',
    transform(code, id) {
      if (!id.includes('@chatui') || !id.split('?')[0].endsWith('.css')) return null;
      return { code: code.replace(/@font-face\s*\{[^}]*url\(\s*['"]?(https?:)?\/\/[^}]*\}/g, ''), map: null };
    },
  };
}

export default defineConfig({
  base: './',
  plugins: [dropRemoteFontFaces()],
  esbuild: { jsx: 'automatic', jsxImportSource: 'react' },
  // `npx vite` for development: the chat's API calls go to a running gateway (make run).
  server: { proxy: { '/api': process.env.GATEWAY_URL || 'http://127.0.0.1:8080' } },
  build: {
    outDir: 'dist', // scripts/build_widget.sh builds into a temporary dir and swaps it in
    emptyOutDir: true,
    target: 'es2018',
    // Small enough to read in one request; no source maps in what is served to the public.
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
  },
});
