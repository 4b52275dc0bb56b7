"""In-memory stand-ins for the store and the adapters, behind the interfaces the use cases receive
(tests/fakes/world.py builds the services on them). tests/usecases/test_store_contract.py runs the
same repository behaviours against these fakes and against the real store on moto: a fake that
drifts from the store fails there."""
