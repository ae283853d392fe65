import { crashfreeProject } from '../../vitest.shared';

export default crashfreeProject('react-native');
