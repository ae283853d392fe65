import { fileURLToPath } from 'node:url';
import { crashfreeProject } from '../../vitest.shared.ts';

const shim = fileURLToPath(new URL('./test/shim/react-native.ts', import.meta.url));

// The SDK imports `react-native`; in vitest it resolves to a small shim so the
// JS layer is tested without RN's native runtime (jest covers RN's own mocks).
const project = crashfreeProject('react-native', { include: ['test/**/*.test.ts'], exclude: ['test/jest/**'] });
project.resolve = { ...project.resolve, alias: { 'react-native': shim } };
export default project;
