// The strict exposition parser (test/helpers/prom-text.ts) accepts well-formed text and rejects each
// kind of malformed text; the writer (src/http/exposition.ts) produces text the parser accepts, with
// escapes and histogram buckets right.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatValue, type MetricFamily, renderExposition } from '../../../src/http/exposition.js';
import { ExpositionError, parseExposition, sampleValue } from '../../helpers/prom-text.js';

const GOOD = `# A plain comment
# HELP http_requests_total The total number of HTTP requests, with a \\\\ and a \\n.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"}    3 1395066363000

# TYPE odd_labels gauge
odd_labels{path="C:\\\\dir\\\\file",quote="say \\"hi\\"",multi="a\\nb",} -1.5e-3
# HELP special_values Values spelled the format's way.
# TYPE special_values untyped
special_values{which="nan"} NaN
special_values{which="pos"} +Inf
special_values{which="neg"} -Inf
# TYPE latency_seconds histogram
latency_seconds_bucket{le="0.05"} 24054
latency_seconds_bucket{le="0.1"} 33444
latency_seconds_bucket{le="+Inf"} 144320
latency_seconds_sum 53423
latency_seconds_count 144320
# TYPE rpc_seconds summary
rpc_seconds{quantile="0.5"} 4773
rpc_seconds_sum 1.7560473e+07
rpc_seconds_count 2693
no_metadata 7
`;

describe('strict exposition parser', () => {
  test('parses every construct of well-formed text', () => {
    const f = parseExposition(GOOD);
    assert.equal(f.get('http_requests_total')?.type, 'counter');
    assert.equal(f.get('http_requests_total')?.help, 'The total number of HTTP requests, with a \\ and a \n.');
    assert.equal(sampleValue(f, 'http_requests_total', { code: '400' }), 3);
    const odd = f.get('odd_labels')?.samples[0];
    assert.deepEqual(odd?.labels, { path: 'C:\\dir\\file', quote: 'say "hi"', multi: 'a\nb' });
    assert.equal(odd?.value, -0.0015);
    assert.ok(Number.isNaN(sampleValue(f, 'special_values', { which: 'nan' })));
    assert.equal(sampleValue(f, 'special_values', { which: 'neg' }), Number.NEGATIVE_INFINITY);
    assert.equal(f.get('latency_seconds')?.samples.length, 5);
    assert.equal(sampleValue(f, 'rpc_seconds_count'), 2693);
    assert.equal(f.get('no_metadata')?.type, 'untyped');
  });

  const bad: Array<[string, string]> = [
    ['no final newline', 'x 1'],
    ['bad metric name', '1x 1\n'],
    ['bad label name', 'x{1a="b"} 1\n'],
    ['label given twice', 'x{a="1",a="2"} 1\n'],
    ['unknown escape in a label', 'x{a="\\t"} 1\n'],
    ['unterminated label value', 'x{a="b} 1\n'],
    ['missing value', 'x{a="b"}\n'],
    ['bad value', 'x 1,5\n'],
    ['bad timestamp', 'x 1 1.5\n'],
    ['unknown type', '# TYPE x countr\nx 1\n'],
    ['TYPE after samples', 'x 1\n# TYPE x gauge\n'],
    ['second TYPE', '# TYPE x gauge\n# TYPE x gauge\nx 1\n'],
    ['second HELP', '# HELP x a\n# HELP x b\nx 1\n'],
    ['bad escape in HELP', '# HELP x a\\tb\nx 1\n'],
    ['duplicate series', '# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2\n'],
    ['interleaved families', 'x 1\ny 1\nx{a="2"} 1\n'],
    ['negative counter', '# TYPE x_total counter\nx_total -1\n'],
    ['bucket without le', '# TYPE h histogram\nh_bucket 1\nh_sum 1\nh_count 1\n'],
    ['no +Inf bucket', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    ['+Inf bucket != count', '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n'],
    [
      'buckets not cumulative',
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="2"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 2\n',
    ],
    [
      'le not ascending',
      '# TYPE h histogram\nh_bucket{le="2"} 1\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
    ],
    ['histogram without _sum', '# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_count 1\n'],
  ];
  for (const [what, text] of bad) {
    test(`rejects ${what}`, () => assert.throws(() => parseExposition(text), ExpositionError));
  }
});

describe('exposition writer', () => {
  test('escapes HELP and label values, formats special values, and writes cumulative buckets', () => {
    const families: MetricFamily[] = [
      {
        name: 'gmsup_test_total',
        help: 'back\\slash and\nnewline',
        type: 'counter',
        samples: [{ labels: { function: 'a"b\\c\nd' }, value: 3 }],
      },
      {
        name: 'gmsup_test_gauge',
        help: 'special',
        type: 'gauge',
        samples: [
          { labels: { v: 'nan' }, value: Number.NaN },
          { labels: { v: 'inf' }, value: Number.POSITIVE_INFINITY },
        ],
      },
      {
        name: 'gmsup_test_seconds',
        help: 'histogram',
        type: 'histogram',
        samples: [{ labels: { function: 'f' }, bounds: [0.1, 1], counts: [2, 3, 1], sum: 4.5, count: 6 }],
      },
      { name: 'gmsup_test_empty', help: 'no samples yet', type: 'gauge', samples: [] },
    ];
    const text = renderExposition(families);
    const f = parseExposition(text);
    assert.equal(f.get('gmsup_test_total')?.help, 'back\\slash and\nnewline');
    assert.equal(sampleValue(f, 'gmsup_test_total', { function: 'a"b\\c\nd' }), 3);
    assert.ok(Number.isNaN(sampleValue(f, 'gmsup_test_gauge', { v: 'nan' })));
    assert.equal(sampleValue(f, 'gmsup_test_gauge', { v: 'inf' }), Number.POSITIVE_INFINITY);
    assert.equal(sampleValue(f, 'gmsup_test_seconds_bucket', { le: '0.1' }), 2);
    assert.equal(sampleValue(f, 'gmsup_test_seconds_bucket', { le: '1' }), 5);
    assert.equal(sampleValue(f, 'gmsup_test_seconds_bucket', { le: '+Inf' }), 6);
    assert.equal(sampleValue(f, 'gmsup_test_seconds_sum'), 4.5);
    assert.equal(f.get('gmsup_test_empty')?.type, 'gauge');
    assert.equal(formatValue(Number.NEGATIVE_INFINITY), '-Inf');
  });

  test('refuses invalid names and duplicate families instead of writing bad text', () => {
    const g = (name: string, labels: Record<string, string> = {}): MetricFamily => ({
      name,
      help: 'h',
      type: 'gauge',
      samples: [{ labels, value: 1 }],
    });
    assert.throws(() => renderExposition([g('bad-name')]), /invalid metric name/);
    assert.throws(() => renderExposition([g('ok', { 'bad-label': 'x' })]), /invalid label name/);
    assert.throws(() => renderExposition([g('ok', { __reserved: 'x' })]), /invalid label name/);
    assert.throws(() => renderExposition([g('dup'), g('dup')]), /appears twice/);
  });
});
