// jest's globalSetup (jest.config.js). Node loads this file itself, not through ts-jest, so it imports the pool's
// code through tsx (whose loader maps the sources' ".js" imports to ".ts"), and only on the real-backend pass: the
// emulator pass (and Stryker's runs of it) load nothing more.
export default async function setup(): Promise<void> {
  if (process.env.HERALD_API_BACKEND !== 'real') return;
  const { tsImport } = await import('tsx/esm/api');
  const pool = (await tsImport('./pool-process.ts', import.meta.url)) as typeof import('./pool-process.js');
  await pool.startControlPlanePool();
}
