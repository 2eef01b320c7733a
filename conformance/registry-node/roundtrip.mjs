// A round trip through the registry double by a Confluent registry client the team did not write:
// @kafkajs/confluent-schema-registry, with its default options, registers the Frame schema, encodes JPEG
// frames that kafkajs produces to a live processor, then decodes every prediction, embedding, mask and
// dead letter the processor publishes, fetching the writer schemas from the registry by id.
//
// Prints one JSON line to stdout: what was registered, produced and decoded. Logs go to stderr.
// Exit status 0 when the run finished (the caller judges the counts), 1 when a step threw.
//
// node roundtrip.mjs --bootstrap HOST:PORT --registry URL --schema Frame.avsc --frames DIR
//   --width W --height H --input-topic T --predictions-topic T --embeddings-topic T
//   --masks-topic T --dead-letter-topic T [--timeout-ms MS]

import { readFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { Kafka, Partitioners, logLevel } from 'kafkajs'
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'

const SOURCE_ID = 'node-camera'

const { values: args } = parseArgs({
  options: {
    bootstrap: { type: 'string' },
    registry: { type: 'string' },
    schema: { type: 'string' },
    frames: { type: 'string' },
    width: { type: 'string' },
    height: { type: 'string' },
    'input-topic': { type: 'string' },
    'predictions-topic': { type: 'string' },
    'embeddings-topic': { type: 'string' },
    'masks-topic': { type: 'string' },
    'dead-letter-topic': { type: 'string' },
    'timeout-ms': { type: 'string', default: '120000' },
  },
  strict: true,
})
for (const key of ['bootstrap', 'registry', 'schema', 'frames', 'width', 'height', 'input-topic',
  'predictions-topic', 'embeddings-topic', 'masks-topic', 'dead-letter-topic']) {
  if (args[key] === undefined) throw new Error(`--${key} is required`)
}

const stderrLog = () => ({ namespace, level, label, log }) =>
  process.stderr.write(`${label} [${namespace}] ${log.message} ${JSON.stringify(log)}\n`)

async function main() {
  const summary = {
    client: '@kafkajs/confluent-schema-registry with default options',
    schemaId: null,
    reRegisteredId: null,
    latestId: null,
    lookupId: null,
    framesProduced: 0,
    decoded: {},
    distinctSequences: {},
    duplicates: 0,
    bad: 0,
    badExamples: [],
  }
  const outputs = {
    predictions: args['predictions-topic'],
    embeddings: args['embeddings-topic'],
    masks: args['masks-topic'],
    deadLetters: args['dead-letter-topic'],
  }
  const seen = {}
  for (const name of Object.keys(outputs)) {
    summary.decoded[name] = 0
    seen[name] = new Set()
  }

  const registry = new SchemaRegistry({ host: args.registry })
  const subject = `${args['input-topic']}-value`
  const schemaText = await readFile(args.schema, 'utf8')
  const frameSchema = { type: SchemaType.AVRO, schema: schemaText }

  // First registration: the subject has no level of its own (40408), so the client registers and then
  // stores its default level, BACKWARD, with PUT /config/{subject}.
  summary.schemaId = (await registry.register(frameSchema, { subject })).id
  // Second: the client reads the level back and finds it equal to its own.
  summary.reRegisteredId = (await registry.register(frameSchema, { subject })).id
  summary.latestId = await registry.getLatestSchemaId(subject)
  summary.lookupId = await registry.getRegistryIdBySchema(subject, frameSchema)

  const kafka = new Kafka({
    clientId: 'registry-conformance',
    brokers: args.bootstrap.split(','),
    logLevel: logLevel.WARN,
    logCreator: stderrLog,
  })

  const files = (await readdir(args.frames)).filter((f) => f.endsWith('.jpg')).sort()
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  try {
    const messages = []
    for (const [sequence, file] of files.entries()) {
      const frame = {
        sourceId: SOURCE_ID,
        sequence,
        captureTime: Date.now(),
        encoding: 'JPEG',
        width: Number(args.width),
        height: Number(args.height),
        image: await readFile(path.join(args.frames, file)),
        metadata: { producer: 'kafkajs' },
      }
      messages.push({ key: SOURCE_ID, value: await registry.encode(summary.schemaId, frame) })
    }
    await producer.send({ topic: args['input-topic'], acks: -1, messages })
    summary.framesProduced = messages.length
  } finally {
    await producer.disconnect()
  }

  const topicToOutput = Object.fromEntries(Object.entries(outputs).map(([name, topic]) => [topic, name]))
  const expected = summary.framesProduced
  const consumer = kafka.consumer({ groupId: `registry-conformance-${process.pid}-${Date.now()}` })
  await consumer.connect()
  try {
    await consumer.subscribe({ topics: Object.values(outputs), fromBeginning: true })
    let finish
    const finished = new Promise((resolve) => (finish = resolve))
    const complete = () =>
      ['predictions', 'embeddings', 'masks'].every((name) => seen[name].size >= expected)
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const name = topicToOutput[topic]
        try {
          const record = await registry.decode(message.value)
          summary.decoded[name]++
          const sequence = name === 'deadLetters' ? null : Number(record.sequence)
          if (name !== 'deadLetters') {
            if (record.sourceId !== SOURCE_ID || !(sequence >= 0 && sequence < expected)) {
              throw new Error(`unexpected source ${record.sourceId} #${record.sequence}`)
            }
            if (seen[name].has(sequence)) summary.duplicates++
            seen[name].add(sequence)
          }
        } catch (error) {
          summary.bad++
          if (summary.badExamples.length < 5) {
            summary.badExamples.push(`${topic}/${partition}@${message.offset}: ${error.message}`)
          }
        }
        if (complete()) finish()
      },
    })
    const timeout = new Promise((resolve) => setTimeout(resolve, Number(args['timeout-ms'])).unref())
    await Promise.race([finished, timeout])
    // A dead letter or a duplicate, were there one, would have arrived by now.
    await new Promise((resolve) => setTimeout(resolve, 1000))
  } finally {
    await consumer.disconnect()
  }
  for (const name of Object.keys(outputs)) summary.distinctSequences[name] = seen[name].size
  return summary
}

main().then(
  (summary) => {
    process.stdout.write(JSON.stringify(summary) + '\n')
    process.exit(0)
  },
  (error) => {
    process.stderr.write(`${error.stack || error}\n`)
    // ResponseError of the registry client carries the failed request as "METHOD url".
    const failure = { error: String(error.message || error), status: error.status, request: error.url }
    process.stdout.write(JSON.stringify(failure) + '\n')
    process.exit(1)
  },
)
