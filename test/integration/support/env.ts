// Where the integration tests find Kafka and the schema registry (see scripts/kafka/).
export const BROKERS = (process.env['CEPHEUS_KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((s) => s.trim());
export const REGISTRY_URL = process.env['CEPHEUS_REGISTRY_URL'] ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
export const IN_CI = process.env['CI'] === 'true' || process.env['CI'] === '1';

// The secured broker (scripts/kafka/start-secure.sh): SASL_SSL, SCRAM-SHA-512, ACLs; its
// directory holds tls/ca.pem and secrets/<user>.password.
export const SECURE_BROKERS = (process.env['CEPHEUS_SECURE_KAFKA_BROKERS'] ?? '127.0.0.1:9094').split(',').map((s) => s.trim());
export const SECURE_DIR = process.env['CEPHEUS_SECURE_KAFKA_DIR'] ?? `.run/kafka-secure-${SECURE_BROKERS[0]?.split(':')[1] ?? '9094'}`;

// The RabbitMQ node with streams (scripts/rabbitmq/start.sh): AMQP URL and the directory of
// its generated passwords (admin: tests publish; cepheus: the service, read-only).
export const RABBITMQ_URL = process.env['CEPHEUS_RABBITMQ_URL'] ?? `amqp://127.0.0.1:${process.env['CEPHEUS_RABBITMQ_PORT'] ?? '5673'}/%2f`;
export const RABBITMQ_SECRETS = process.env['CEPHEUS_RABBITMQ_SECRETS'] ?? `.run/rabbitmq-${new URL(RABBITMQ_URL).port || '5672'}/secrets`;
