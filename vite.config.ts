/** Build of the page (Preact) and the service worker (vite-plugin-pwa, injectManifest). */
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { precompress } from './build/precompress.ts';

/** Where `npm run dev` proxies API calls (the API server started by server/dev.ts). */
const API_ORIGIN = process.env.BURROW_API_ORIGIN ?? 'http://127.0.0.1:8788';

export default defineConfig({
  plugins: [
    preact(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'sw',
      filename: 'sw.ts',
      // The page registers the worker itself through workbox-window (src/sync/registration.ts).
      injectRegister: false,
      injectManifest: {
        rollupFormat: 'iife',
        globPatterns: ['**/*.{js,css,html,svg,png,ico}'],
      },
      manifest: {
        id: '/',
        name: 'Burrow',
        short_name: 'Burrow',
        description: 'Save links and notes as cards. Works offline, syncs everywhere.',
        lang: 'en',
        categories: ['productivity'],
        start_url: '/',
        scope: '/',
        display: 'standalone',
        theme_color: '#2f6f5e',
        background_color: '#ffffff',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
        share_target: {
          action: '/share',
          method: 'GET',
          // Chromium warns without it, even for GET (where it is the only allowed value).
          enctype: 'application/x-www-form-urlencoded',
          params: { title: 'title', text: 'text', url: 'url' },
        },
      },
    }),
    precompress(),
  ],
  resolve: {
    // Workbox pins idb 7; one copy (ours, API-compatible) keeps the worker small.
    dedupe: ['idb'],
    // workbox-window's `module` entry is its ES5 build; its ES2017 build is the same code, not
    // down-levelled, and 1 KiB (gzip) smaller. The app targets ES2022 browsers anyway.
    alias: { 'workbox-window': 'workbox-window/build/workbox-window.prod.mjs' },
  },
  build: {
    target: 'es2022',
    sourcemap: false,
    // Each component's stylesheet sits beside it; the page still gets one stylesheet, views loaded
    // on demand included, so opening one never waits for its styles.
    cssCodeSplit: false,
    // dist/.vite/manifest.json: which chunks the first view loads and which load on demand, for
    // the bundle budget `npm run bench` checks (tests/bench/app.bench.ts).
    manifest: true,
    // Terser's two passes leave the page's and the worker's JavaScript 0.6 % smaller (gzip) than
    // the default minifier: 300 and 240 bytes of their 50 and 25 KiB budgets.
    minify: 'terser',
    terserOptions: { compress: { passes: 2 } },
  },
  server: { proxy: { '/api': { target: API_ORIGIN, changeOrigin: false } } },
});
