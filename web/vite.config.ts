// Builds the web app into web/dist, served by Formica at /app/. JSX goes through vite's own
// transform (oxc, React's automatic runtime): no React plugin needed. `npm run dev:web` proxies
// the API to a server on :8080.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig(({ command }) => ({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/app/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'react', development: command !== 'build' } },
  logLevel: 'warn',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, reportCompressedSize: false, chunkSizeWarningLimit: 1024 },
  server: { proxy: { '/v1': 'http://127.0.0.1:8080' } },
  // A build is for serving, whatever NODE_ENV the caller runs with (vitest sets "test", which
  // would otherwise ship React's development build, and the JSX transform's too).
  ...(command === 'build' ? { define: { 'process.env.NODE_ENV': JSON.stringify('production') } } : {}),
}));
