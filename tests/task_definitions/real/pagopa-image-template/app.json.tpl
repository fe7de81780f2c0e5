[
  {
    "name": "website-cms",
    "image": "${image}",
    "portMappings": [
      {
        "containerPort": 1337
      }
    ],
    "environmentFiles": [
      {
        "value": "arn:aws:s3:::${bucket_name}/.env",
        "type": "s3"
      }
    ],
    "secrets": [
      {
        "name": "DATABASE_PASSWORD",
        "valueFrom": "${db_password_arn}"
      }
    ]
  }
]
