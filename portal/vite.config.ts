import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// A static SPA: every route falls back to index.html on the server (scripts/local_stack.py locally,
// CloudFront's error responses in AWS); config.json is fetched at start-up, never bundled.
// The finance console's chunk (with its chart library) is about 435 kB minified; the gzip budgets of
// both chunks are judged by tests/portal/test_bundle_size.py, so the warning only flags a surprise.
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", sourcemap: false, target: "es2022", chunkSizeWarningLimit: 480 },
  server: { port: 3000, host: "127.0.0.1" },
});
