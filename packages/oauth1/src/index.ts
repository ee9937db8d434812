export { constantTimeEqual } from './constant-time.js';
