import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dev server runs on Vite's default origin (http://localhost:5173), which the gateway allows in development.
export default defineConfig({
  plugins: [react()],
  server: { port: 5173, strictPort: true },
  build: { outDir: 'dist', sourcemap: true },
});
