/**
 * Known-answer inputs from RFC 5849 (sections 1.2 and 3.4.1) and OAuth Core 1.0 (appendix A.5),
 * shared by the tests. Excluded from the build.
 */
import type { OAuth1Request } from './request.js';

/** RFC 5849 section 1.2: the printer.example.com client credentials. */
export const PRINTER_CLIENT = { consumerKey: 'dpf43f3p2l4k3l03', consumerSecret: 'kd94hf93k423kf44' } as const;

/** RFC 5849 sections 3.4.1.1 and 3.4.1.3.1: the example request, as a server receives it. */
export const SECTION_3_4_1_REQUEST: OAuth1Request = {
  method: 'POST',
  url: 'http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b',
  headers: {
    'content-type': 'application/x-www-form-urlencoded',
    authorization:
      'OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", oauth_token="kkk9d7dh3k39sjv7", ' +
      'oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131201", oauth_nonce="7d8f3e4a", ' +
      'oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"',
  },
  body: 'c2&a3=2+q',
};

/** Section 3.4.1.1, joined (the RFC breaks its lines for display only). */
export const SECTION_3_4_1_1_BASE_STRING =
  'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q' +
  '%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_' +
  'key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m' +
  'ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk' +
  '9d7dh3k39sjv7';

/** Section 3.4.1.3.2, joined. */
export const SECTION_3_4_1_3_2_NORMALIZED =
  'a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9dj' +
  'dj82h48djs9d2&oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1' +
  '&oauth_timestamp=137131201&oauth_token=kkk9d7dh3k39sjv7';

/** OAuth Core 1.0 appendix A.5.1. */
export const CORE_A_5_1_BASE_STRING =
  'GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03' +
  '%26oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1191242096' +
  '%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal';
