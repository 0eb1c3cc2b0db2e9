import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The app's front-end: built into ui/dist, which the Tauri shell embeds.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  clearScreen: false,
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
});
