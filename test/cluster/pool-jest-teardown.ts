// jest's globalTeardown (jest.config.js): see pool-jest-setup.ts for why the pool's code comes through tsx.
export default async function teardown(): Promise<void> {
  if (process.env.HERALD_API_BACKEND !== 'real') return;
  const { tsImport } = await import('tsx/esm/api');
  const pool = (await tsImport('./pool-process.ts', import.meta.url)) as typeof import('./pool-process.js');
  await pool.stopControlPlanePool();
}
