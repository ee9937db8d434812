// Placeholder until the demo lands: says what is missing and exits cleanly.
console.error('The Latchkey demo is not built yet: demo/ will start the provider, the BFF and the SPA here.');
process.exit(1);
