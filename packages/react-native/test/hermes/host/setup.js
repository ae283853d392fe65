/*
 * Globals RN's InitializeCore installs before app code and the Hermes CLI
 * lacks, taken from RN itself where RN implements them in JS.
 */
import { URLSearchParams } from 'react-native/Libraries/Blob/URLSearchParams';

if (typeof global.URLSearchParams === 'undefined') global.URLSearchParams = URLSearchParams;
