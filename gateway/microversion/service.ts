/** Which microversioned service the gateway fronts; Nova's defaults. */
export interface VersionedService {
  /** Service type in `OpenStack-API-Version: <type> X.Y`. */
  readonly serviceType: string;
  /** The legacy header read when the standard one carries no entry for the service. */
  readonly legacyHeader: string;
}

export const STANDARD_VERSION_HEADER = 'OpenStack-API-Version';

export const NOVA_SERVICE: VersionedService = {
  serviceType: 'compute',
  legacyHeader: 'X-OpenStack-Nova-API-Version',
};
