import { crashfreeProject } from '../../vitest.shared.ts';

export default crashfreeProject('collector');
