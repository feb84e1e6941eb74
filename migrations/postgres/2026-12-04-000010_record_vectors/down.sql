DROP TABLE record_vectors;
