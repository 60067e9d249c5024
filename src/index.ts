// The Worker entry: the Latchkey app with the platform's own clock, fetch and console.
import { createApp } from './app';

export default createApp();
