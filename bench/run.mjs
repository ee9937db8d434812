// Placeholder until the benchmarks land.
console.error('No benchmarks yet: bench/ will measure bundle size, proxy overhead and refresh coalescing.');
process.exit(1);
