import { crashfreeProject } from '../../vitest.shared';

export default crashfreeProject('release-health');
