// The Hono environment of the pages: the app's, plus the CSRF token of the current browser.
import type { AppEnv } from './context';

export interface PageEnv {
  Bindings: AppEnv['Bindings'];
  Variables: AppEnv['Variables'] & {
    /** The double-submit token every form on the page carries in its `csrf` field. */
    csrfToken: string;
  };
}
