import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built to static files under dist/, which the ingest-gateway serves under /app/.
// `npm run dev` proxies the API to a gateway on :3000 (npm start).
export default defineConfig({
  base: '/app/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, assetsDir: 'assets' },
  server: { proxy: { '/api': 'http://localhost:3000' } },
});
