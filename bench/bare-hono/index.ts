import { Hono } from 'hono';

// Latchkey's /health handler, with no middleware: the floor of a Hono route in this runtime.
export default new Hono().get('/health', (c) => c.json({ status: 'ok' }));
